import COpenSSL
import Foundation

/// Hex SHA-256 of a file, through OpenSSL's libcrypto, read in chunks so large files need little memory.
func sha256Hex(of url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    guard let context = EVP_MD_CTX_new() else { throw WeightsError.hashing(url.path) }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw WeightsError.hashing(url.path) }
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        let ok = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        guard ok == 1 else { throw WeightsError.hashing(url.path) }
    }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { throw WeightsError.hashing(url.path) }
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
}
