import Foundation
import XCTest

/// The README's "Using it" block names real flags with their real defaults: every `--flag` of a
/// line is in that command's --help, and where the line shows a number and the help states a
/// numeric default, they are the same.
final class ReadmeUsageTests: XCTestCase {
    private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// (command words, the rest of the line) for each usage line; continuation lines join the
    /// command above them.
    private func usageLines() throws -> [(command: [String], text: String)] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "## Using it\n"))
        let block = readme[start.upperBound...].prefix { _ in true }
        var lines: [(command: [String], text: String)] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
            if line.hasPrefix("    graft ") {
                let words = line.dropFirst(4).split(separator: " ").map(String.init)
                let count = ["weights", "data", "bench"].contains(words[1]) ? 3 : 2
                lines.append((Array(words[1..<count]), words[count...].joined(separator: " ")))
            } else if line.hasPrefix("     "), !lines.isEmpty {
                lines[lines.count - 1].text += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !lines.isEmpty {
                break
            }
        }
        return lines
    }

    /// Each option of a --help text with the words of its description, lines joined.
    private func options(inHelp help: String) -> [String: String] {
        var entries: [String: String] = [:]
        var current: String?
        for line in help.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("  -"), let flag = trimmed.split(separator: " ").first(where: { $0.hasPrefix("--") }) {
                current = String(flag.trimmingCharacters(in: CharacterSet(charactersIn: ",")))
                entries[current!] = trimmed
            } else if let flag = current, line.hasPrefix("   ") {
                entries[flag]! += " " + trimmed
            } else {
                current = nil
            }
        }
        return entries
    }

    func testEveryUsageLineAgreesWithTheCommandsHelp() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let lines = try usageLines()
        XCTAssertGreaterThanOrEqual(lines.count, 11, "\(lines)")
        for (command, text) in lines {
            let help = try graft.run(command + ["--help"])
            XCTAssertEqual(help.status, 0, "graft \(command.joined(separator: " ")) --help: \(help.standardError)")
            let options = options(inHelp: help.standardOutput)
            let words = text.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " ")
                .split(separator: " ").map(String.init)
            for (i, word) in words.enumerated() where word.hasPrefix("--") {
                let flag = word.split(separator: "=").first.map(String.init) ?? word
                guard let entry = options[flag] else {
                    XCTFail("README: graft \(command.joined(separator: " ")) has no \(flag)")
                    continue
                }
                guard i + 1 < words.count, let shown = Double(words[i + 1]) else { continue }
                guard let range = entry.range(of: #"\(default: [-0-9.e]+\)"#, options: .regularExpression) else { continue }
                let stated = Double(entry[range].dropFirst("(default: ".count).dropLast())
                XCTAssertEqual(stated, shown, "README shows graft \(command.joined(separator: " ")) \(flag) \(words[i + 1]); --help says \(entry[range])")
            }
        }
    }
}
