import Foundation

/// `GRAFT_WEIGHTS_URL`: the base URL of a mirror that serves the official files under their own
/// names (`http://mirror/base` + `/resnet50-0676ba61.pth`), for sites without access to
/// download.pytorch.org.
public struct WeightsMirror: Sendable, Equatable {
    public static let variable = "GRAFT_WEIGHTS_URL"
    public let base: URL

    /// nil when `setting` is nil or empty; an error naming the variable when it is not an
    /// http(s) URL with a host.
    public init?(_ setting: String?) throws {
        guard let setting = setting?.trimmingCharacters(in: .whitespaces), !setting.isEmpty else { return nil }
        guard let url = URL(string: setting), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw WeightsError.badMirror(setting)
        }
        base = url
    }

    /// Where the mirror keeps the file that `official` names.
    public func url(for official: URL) -> URL { base.appendingPathComponent(official.lastPathComponent) }
}
