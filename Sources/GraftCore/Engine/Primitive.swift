import CDNNL

/// A created oneDNN primitive with its descriptor, ready to execute any number of times.
///
/// Every primitive is created with a user-managed scratchpad (see `makePD`): each execution brings
/// its own from the buffer pool, so one cached primitive can run on several threads at once. With
/// oneDNN's default, library-managed scratchpad, the buffer is shared by all primitives of the
/// thread that created them and a primitive must never run on another thread.
final class Primitive {
    let pd: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    /// The temporary buffer an execution needs, if any.
    private let scratchpad: Layout?

    init(pd: dnnl_primitive_desc_t) throws {
        self.pd = pd
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, pd), "dnnl_primitive_create")
        self.primitive = primitive!
        let md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)
        scratchpad = md.flatMap { md in
            let layout = Layout(desc: md.pointee)
            return md.pointee.ndims > 0 && layout.byteCount > 0 ? layout : nil
        }
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

    /// Runs the primitive on the calling thread's stream and waits for it.
    func execute(_ args: [Int32: Storage]) {
        var args = args
        if let scratchpad { args[DNNL_ARG_SCRATCHPAD] = Storage(layout: scratchpad) }
        var execArgs = args.map { dnnl_exec_arg_t(arg: $0.key, memory: $0.value.memory) }
        let stream = Engine.shared.stream
        dnnlMust(dnnl_primitive_execute(primitive, stream, Int32(execArgs.count), &execArgs), "dnnl_primitive_execute")
        dnnlMust(dnnl_stream_wait(stream), "dnnl_stream_wait")
        withExtendedLifetime(args) {}
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
///
/// Process-wide and locked (mlx-swift guards its caches the same way). A primitive is created
/// outside the lock, because creating one may ask the cache for another (a backward primitive
/// needs its forward one as a hint); when two threads create the same one, the first stored wins.
public final class PrimitiveCache: @unchecked Sendable {
    public static let shared = PrimitiveCache()

    private struct State {
        var entries: [PrimitiveKey: Primitive] = [:]
        /// Keys whose primitive oneDNN could not create, or created only as a slow reference kernel.
        var refused: Set<PrimitiveKey> = []
        var creations = 0
    }

    private let state = Locked(State())

    /// How many primitives were created since start-up (a test watches this stay flat).
    public var creations: Int { state.withLock { $0.creations } }

    public var count: Int { state.withLock { $0.entries.count } }

    /// How many cached primitives compute `op` ("conv.fused", ...).
    func count(of op: String) -> Int { state.withLock { $0.entries.keys.filter { $0.op == op }.count } }

    func primitive(_ key: PrimitiveKey, create: () throws -> dnnl_primitive_desc_t) throws -> Primitive {
        if let hit = state.withLock({ $0.entries[key] }) { return hit }
        let created = try Primitive(pd: try create())
        return store(created, for: key)
    }

    /// The primitive for `key` when oneDNN creates one that `accept` approves of, else nil; the
    /// answer is remembered either way, so a refused combination costs one attempt.
    func primitiveIfSupported(_ key: PrimitiveKey, accept: (Primitive) -> Bool,
                              create: () throws -> dnnl_primitive_desc_t) -> Primitive? {
        let known: Primitive?? = state.withLock { s in
            if let hit = s.entries[key] { return .some(hit) }
            return s.refused.contains(key) ? .some(nil) : nil
        }
        if let known { return known }
        guard let created = try? Primitive(pd: try create()), accept(created) else {
            state.withLock { _ = $0.refused.insert(key) }
            return nil
        }
        return store(created, for: key)
    }

    private func store(_ created: Primitive, for key: PrimitiveKey) -> Primitive {
        state.withLock { s in
            if let raced = s.entries[key] { return raced }
            s.entries[key] = created
            s.creations += 1
            return created
        }
    }

    public func removeAll() {
        state.withLock { s in
            s.entries.removeAll()
            s.refused.removeAll()
        }
    }
}

/// Creates a primitive descriptor from an op descriptor (the oneDNN 2.x two-step creation).
func makePD<Desc>(_ opDesc: Desc, attr: dnnl_primitive_attr_t? = nil,
            hint: dnnl_primitive_desc_t? = nil, _ what: @autoclosure () -> String) throws -> dnnl_primitive_desc_t {
    var pd: dnnl_primitive_desc_t?
    var desc = opDesc
    try withUserScratchpad(attr) { attr in
        try withUnsafePointer(to: &desc) { ptr in
            try dnnlCheck(dnnl_primitive_desc_create(&pd, ptr, attr, Engine.shared.engine, hint), what())
        }
    }
    return pd!
}

/// Runs `body` with `attr` (or new attributes when nil) set to a user-managed scratchpad, which
/// every Graft primitive uses (see `Primitive`).
func withUserScratchpad<R>(_ attr: dnnl_primitive_attr_t?, _ body: (dnnl_primitive_attr_t) throws -> R) throws -> R {
    if let attr {
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
        return try body(attr)
    }
    var created: dnnl_primitive_attr_t?
    try dnnlCheck(dnnl_primitive_attr_create(&created), "dnnl_primitive_attr_create")
    defer { dnnl_primitive_attr_destroy(created) }
    return try withUserScratchpad(created!, body)
}
