import Foundation
import SwiftCSV

/// The rows of a label file (CSV, or tab-separated when named .tsv), parsed by SwiftCSV and
/// checked cell by cell: each row's image path, label and split, with the line it starts on.
/// Blank lines are skipped; cells are trimmed of surrounding spaces.
struct LabelFile {
    enum Split: String {
        case train, validation, test

        /// The names `ImageFolder` accepts for split folders, in any case.
        init?(cell: String) {
            let name = cell.lowercased()
            if ImageFolder.trainNames.contains(name) { self = .train }
            else if ImageFolder.validationNames.contains(name) { self = .validation }
            else if ImageFolder.testNames.contains(name) { self = .test }
            else { return nil }
        }
    }

    struct Row {
        /// The line the row starts on, the header being line 1.
        let line: Int
        let path: String
        /// The label cell as written.
        let label: String
        /// The classes it names: the cell, or its parts when the columns give a delimiter.
        let classes: [String]
        let split: Split
    }

    let rows: [Row]

    init(url: URL, columns: LabelColumns) throws {
        let name = url.path
        let text = try Self.text(of: url)
        var records: [(line: Int, fields: [String])] = []
        var line = 1
        do {
            // The header alone (rowLimit 1) to start, then every record with its line: SwiftCSV
            // reports neither lines nor where a malformed record is, so they are counted here,
            // a record spanning as many lines as its quoted cells hold line breaks.
            let csv = try EnumeratedCSV(string: text, delimiter: url.pathExtension.lowercased() == "tsv" ? .tab : .comma,
                                        loadColumns: false, rowLimit: 1)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { fields in
                records.append((line, fields.map { $0.trimmingCharacters(in: .whitespaces) }))
                line += 1 + fields.reduce(0) { $0 + $1.filter(\.isNewline).count }
            }
        } catch let error as CSVParseError {
            let reason: String
            switch error {
            case .generic(let message), .quotation(let message): reason = message
            }
            throw LabelFileError.malformedCSV(file: name, line: line, reason: reason)
        }
        guard let header = records.first?.fields, !header.allSatisfy(\.isEmpty) else {
            throw LabelFileError.tooFewColumns(file: name, header: [])
        }
        func column(_ named: String?, default position: Int) throws -> Int {
            guard let named else {
                guard header.count > position else { throw LabelFileError.tooFewColumns(file: name, header: header) }
                return position
            }
            guard let index = header.firstIndex(of: named) else {
                throw LabelFileError.missingColumn(file: name, column: named, header: header)
            }
            return index
        }
        let fileColumn = try column(columns.file, default: 0)
        let labelColumn = try column(columns.label, default: fileColumn == 0 ? 1 : 0)
        let splitColumn = try columns.split.map { try column($0, default: 0) }
        var rows: [Row] = []
        for record in records.dropFirst() where !record.fields.allSatisfy(\.isEmpty) {
            guard record.fields.count == header.count else {
                throw LabelFileError.wrongFieldCount(file: name, line: record.line, fields: record.fields.count, header: header.count)
            }
            let path = record.fields[fileColumn], label = record.fields[labelColumn]
            if path.isEmpty {
                throw LabelFileError.emptyCell(file: name, line: record.line, column: header[fileColumn], what: "image path")
            }
            let classes = columns.classes(inCell: label)
            if classes.isEmpty {
                throw LabelFileError.emptyCell(file: name, line: record.line, column: header[labelColumn], what: "label")
            }
            var split = Split.train
            if let splitColumn {
                guard let named = Split(cell: record.fields[splitColumn]) else {
                    throw LabelFileError.unknownSplit(file: name, line: record.line, value: record.fields[splitColumn])
                }
                split = named
            }
            rows.append(Row(line: record.line, path: path, label: label, classes: classes, split: split))
        }
        guard !rows.isEmpty else { throw LabelFileError.noRows(file: name) }
        self.rows = rows
    }

    /// The file as UTF-8 text; only a regular file is opened (a pipe would block the reader).
    private static func text(of url: URL) throws -> String {
        switch FileStatus.of(path: url.path) {
        case .failure(let error): throw LabelFileError.unreadable(file: url.path, reason: error.reason)
        case .success(let status) where status.kind != .regular:
            throw LabelFileError.unreadable(file: url.path, reason: "not a regular file")
        case .success: break
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LabelFileError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw LabelFileError.notUTF8(file: url.path) }
        return text
    }
}
