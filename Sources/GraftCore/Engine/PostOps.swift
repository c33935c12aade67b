import CDNNL

/// One step of the work a oneDNN primitive applies to its output before writing it (a post-op).
enum PostOp {
    /// Adds a second tensor of the output's shape, given in this layout.
    case add(Layout)
    case activation(Activation)
    /// A depthwise 3x3 convolution (after a 1x1 one), padded `padLeft` at top and left.
    case depthwise3x3(stride: Int, padLeft: Int)

    /// The primitive-cache key of an optional activation.
    static func key(_ activation: Activation?) -> Int { activation.map { Activation.allCases.firstIndex(of: $0)! } ?? -1 }
}

/// Runs `body` with primitive attributes that carry `postOps` in order, and destroys them after.
func withPostOps<R>(_ postOps: [PostOp], _ body: (dnnl_primitive_attr_t) throws -> R) throws -> R {
    var ops: dnnl_post_ops_t?
    try dnnlCheck(dnnl_post_ops_create(&ops), "dnnl_post_ops_create")
    defer { dnnl_post_ops_destroy(ops) }
    for op in postOps {
        switch op {
        case .add(let layout):
            var desc = layout.desc
            try dnnlCheck(dnnl_post_ops_append_binary(ops, dnnl_binary_add, &desc), "residual post-op")
        case .activation(let activation):
            for (alg, alpha, beta) in activation.steps {
                try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, alg, alpha, beta), "\(activation) post-op")
            }
        case let .depthwise3x3(stride, padLeft):
            try dnnlCheck(dnnl_post_ops_append_dw(ops, dnnl_f32, dnnl_f32, dnnl_f32, 3, dnnl_dim_t(stride), dnnl_dim_t(padLeft),
                                                  0, 0, nil), "depthwise post-op")
        }
    }
    var attr: dnnl_primitive_attr_t?
    try dnnlCheck(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create")
    defer { dnnl_primitive_attr_destroy(attr) }
    try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops")
    return try body(attr!)
}
