import COpenSSL
import Foundation
import GraftFiles

/// Hex SHA-256 of a file, through OpenSSL's libcrypto, read in chunks so large files need little memory.
public func sha256Hex(of url: URL) throws -> String {
    let handle: FileHandle
    do { handle = try FileHandle(forReadingFrom: url) } catch { throw FileSystemError("read", url.path, error: error) }
    defer { try? handle.close() }
    let failed = FileSystemError("hash", url.path, reason: "OpenSSL's SHA-256 failed")
    guard let context = EVP_MD_CTX_new() else { throw failed }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw failed }
    while true {
        let chunk: Data
        do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw FileSystemError("read", url.path, error: error) }
        if chunk.isEmpty { break }
        let ok = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        guard ok == 1 else { throw failed }
    }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { throw failed }
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
}
