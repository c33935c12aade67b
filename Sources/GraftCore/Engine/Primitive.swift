import CDNNL

/// A created oneDNN primitive with its descriptor, ready to execute any number of times.
final class Primitive {
    let pd: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    init(pd: dnnl_primitive_desc_t) throws {
        self.pd = pd
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, pd), "dnnl_primitive_create")
        self.primitive = primitive!
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(pd)
    }

    /// The layout the primitive wants for an argument (DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, ...).
    func layout(of arg: Int32) -> Layout {
        let md = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg)!
        return Layout(desc: md.pointee)
    }

    /// Whether the primitive takes the argument at all (for example a workspace).
    func takes(_ arg: Int32) -> Bool {
        guard let md = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg) else { return false }
        return md.pointee.ndims > 0
    }

    /// oneDNN's name for the implementation it picked ("jit:avx2", "brg:avx512_core", "ref:any").
    var implementation: String {
        var info: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info) == dnnl_success, let info else { return "" }
        return String(cString: info)
    }

    /// Whether oneDNN fell back to a reference (scalar) kernel, "ref:any". A wrapper that runs JIT
    /// kernels one after the other ("ref_fused_convolution:any:jit_1x1:avx2:jit_dw:avx2") is not one.
    var isReferenceKernel: Bool { implementation.split(separator: ":").contains("ref") }

    /// Runs the primitive on the engine's stream and waits for it.
    func execute(_ args: [Int32: Storage]) {
        var execArgs = args.map { dnnl_exec_arg_t(arg: $0.key, memory: $0.value.memory) }
        dnnlMust(dnnl_primitive_execute(primitive, Engine.shared.stream, Int32(execArgs.count), &execArgs),
                 "dnnl_primitive_execute")
        Engine.shared.wait()
    }

    /// Allocates an output argument in the layout the primitive chose for it.
    func output(_ arg: Int32, zeroed: Bool = false) -> Storage {
        Storage(layout: layout(of: arg), zeroed: zeroed)
    }
}

/// Identifies a primitive by op kind, its integer parameters and the layouts of its arguments.
struct PrimitiveKey: Hashable {
    let op: String
    let ints: [Int]
    let layouts: [LayoutKey]

    init(_ op: String, ints: [Int] = [], layouts: [Layout] = []) {
        self.op = op
        self.ints = ints
        self.layouts = layouts.map(\.key)
    }
}

/// Every primitive Graft creates, keyed by what it computes: a training step after the first
/// creates none, because creation costs 0.3 to 1.6 ms per convolution.
public final class PrimitiveCache {
    public static let shared = PrimitiveCache()

    private var entries: [PrimitiveKey: Primitive] = [:]
    /// How many primitives were created since start-up (a test watches this stay flat).
    public private(set) var creations = 0

    public var count: Int { entries.count }

    /// How many cached primitives compute `op` ("conv.fused", ...).
    func count(of op: String) -> Int { entries.keys.filter { $0.op == op }.count }

    func primitive(_ key: PrimitiveKey, create: () throws -> dnnl_primitive_desc_t) throws -> Primitive {
        if let hit = entries[key] { return hit }
        let primitive = try Primitive(pd: try create())
        entries[key] = primitive
        creations += 1
        return primitive
    }

    /// Keys whose primitive oneDNN could not create, or created only as a slow reference kernel.
    private var refused: Set<PrimitiveKey> = []

    /// The primitive for `key` when oneDNN creates one that `accept` approves of, else nil; the
    /// answer is remembered either way, so a refused combination costs one attempt.
    func primitiveIfSupported(_ key: PrimitiveKey, accept: (Primitive) -> Bool,
                              create: () throws -> dnnl_primitive_desc_t) -> Primitive? {
        if let hit = entries[key] { return hit }
        if refused.contains(key) { return nil }
        guard let primitive = try? Primitive(pd: try create()), accept(primitive) else {
            refused.insert(key)
            return nil
        }
        entries[key] = primitive
        creations += 1
        return primitive
    }

    public func removeAll() {
        entries.removeAll()
        refused.removeAll()
    }
}

/// Creates a primitive descriptor from an op descriptor (the oneDNN 2.x two-step creation).
func makePD<Desc>(_ opDesc: Desc, attr: dnnl_primitive_attr_t? = nil,
            hint: dnnl_primitive_desc_t? = nil, _ what: @autoclosure () -> String) throws -> dnnl_primitive_desc_t {
    var pd: dnnl_primitive_desc_t?
    var desc = opDesc
    try withUnsafePointer(to: &desc) { ptr in
        try dnnlCheck(dnnl_primitive_desc_create(&pd, ptr, attr, Engine.shared.engine, hint), what())
    }
    return pd!
}
