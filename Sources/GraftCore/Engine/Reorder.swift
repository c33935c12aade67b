import CDNNL

/// Copies between layouts (plain <-> blocked) with oneDNN's reorder primitive, cached by layouts.
enum Reorder {
    static func run(from src: Storage, to dst: Storage) {
        let key = PrimitiveKey("reorder", layouts: [src.layout, dst.layout])
        let prim = try! PrimitiveCache.shared.primitive(key) {
            var pd: dnnl_primitive_desc_t?
            var s = src.layout.desc, d = dst.layout.desc
            let engine = Engine.shared.engine
            try withUserScratchpad(nil) { attr in
                try dnnlCheck(dnnl_reorder_primitive_desc_create(&pd, &s, engine, &d, engine, attr),
                              "reorder \(src.layout.dims)")
            }
            return pd!
        }
        prim.execute([DNNL_ARG_FROM: src, DNNL_ARG_TO: dst])
    }
}
