import CHDF5
import Foundation

/// A read-only HDF5 file through libhdf5: the paths it holds, float datasets, string attributes.
/// Only what reading Keras weights needs.
final class HDF5File {
    let path: String
    /// What errors call the file: its path, or the archive it came out of.
    let source: String
    private let id: hid_t

    /// The signature every HDF5 file starts with (at offset 0 for files Keras writes).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    init(path: String, source: String? = nil) throws {
        graft_h5_quiet()
        self.path = path
        self.source = source ?? path
        id = graft_h5f_open_read_only(path)
        guard id >= 0 else { throw CheckpointError.invalidKerasWeights(source: self.source, reason: "libhdf5 cannot open it as an HDF5 file") }
    }

    deinit { H5Fclose(id) }

    /// Every link below the root, depth first, as "a/b/c" paths.
    func allPaths() -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let visit: H5L_iterate_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }
        _ = H5Lvisit(id, H5_INDEX_NAME, H5_ITER_INC, visit, Unmanaged.passUnretained(names).toOpaque())
        return names.list
    }

    /// Whether `path` names a dataset (rather than a group or nothing).
    func isDataset(_ path: String) -> Bool {
        let object = H5Oopen(id, path, graft_h5p_default())
        guard object >= 0 else { return false }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }

    /// A dataset's shape and its values converted to float32 by libhdf5.
    func floats(_ path: String) throws -> (shape: [Int], values: [Float]) {
        let dataset = H5Dopen2(id, path, graft_h5p_default())
        guard dataset >= 0 else { throw error("\(path) is not a dataset") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw error("\(path): unreadable shape") }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = dims.map { Int($0) }
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_FLOAT || H5Tget_class(type) == H5T_INTEGER else {
            throw error("\(path) holds neither floating-point numbers nor integers")
        }
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        let status = values.withUnsafeMutableBytes {
            H5Dread(dataset, graft_h5t_native_float(), graft_h5s_all(), graft_h5s_all(), graft_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw error("\(path): libhdf5 could not read its values") }
        return (shape, values)
    }

    /// A string or array-of-strings attribute of the object at `path` ("" is the root), fixed or
    /// variable length; nil when there is no such attribute.
    func strings(attribute name: String, of path: String) throws -> [String]? {
        let objectPath = path.isEmpty ? "." : path
        guard H5Aexists_by_name(id, objectPath, name, graft_h5p_default()) > 0 else { return nil }
        let attribute = H5Aopen_by_name(id, objectPath, name, graft_h5p_default(), graft_h5p_default())
        guard attribute >= 0 else { return nil }
        defer { H5Aclose(attribute) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let count = Int(max(0, H5Sget_simple_extent_npoints(space)))
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else {
            // h5py writes an empty list of names as an empty float array.
            if count == 0 { return [] }
            throw error("attribute \(name) of /\(path) is not text")
        }
        if H5Tis_variable_str(type) > 0 {
            // The memory type must have the file's character set (h5py writes UTF-8): libhdf5
            // converts between none.
            let memoryType = H5Tcopy(graft_h5t_c_s1())
            defer { H5Tclose(memoryType) }
            H5Tset_size(memoryType, Int(bitPattern: UInt(bitPattern: -1)))  // H5T_VARIABLE
            H5Tset_cset(memoryType, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attribute, memoryType, &pointers) >= 0 else { throw error("attribute \(name) of /\(path): unreadable") }
            defer { H5Dvlen_reclaim(memoryType, space, graft_h5p_default(), &pointers) }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        // Fixed-length names are read in the file's own type: a C-string memory type of the same
        // width would give up the last character to its terminator.
        let width = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard H5Aread(attribute, type, &bytes) >= 0 else { throw error("attribute \(name) of /\(path): unreadable") }
        return (0..<count).map { i in
            let field = bytes[(i * width)..<((i + 1) * width)].prefix { $0 != 0 }
            return String(decoding: field, as: UTF8.self)
        }
    }

    private func error(_ reason: String) -> CheckpointError {
        .invalidKerasWeights(source: source, reason: reason)
    }
}
