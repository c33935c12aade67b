import Foundation

/// The update rules of torch.optim written out in Double, one parameter vector at a time, as
/// the expected values for the Float implementations.
struct SGDReference {
    var lr: Double
    var momentum = 0.0
    var dampening = 0.0
    var weightDecay = 0.0
    var nesterov = false
    var buffer: [Double]? = nil

    mutating func step(_ p: inout [Double], _ g: [Double]) {
        var d = zip(g, p).map { $0 + weightDecay * $1 }
        if momentum != 0 {
            if let b = buffer {
                buffer = zip(b, d).map { momentum * $0 + (1 - dampening) * $1 }
            } else {
                buffer = d
            }
            d = nesterov ? zip(d, buffer!).map { $0 + momentum * $1 } : buffer!
        }
        p = zip(p, d).map { $0 - lr * $1 }
    }
}

struct AdamReference {
    var lr: Double
    var beta1 = 0.9
    var beta2 = 0.999
    var eps = 1e-8
    var weightDecay = 0.0
    var decoupled = false
    var step = 0
    var m: [Double] = []
    var v: [Double] = []

    mutating func step(_ p: inout [Double], _ g: [Double]) {
        if m.isEmpty {
            m = Array(repeating: 0, count: p.count)
            v = m
        }
        step += 1
        var grad = g
        if decoupled {
            p = p.map { $0 * (1 - lr * weightDecay) }
        } else if weightDecay != 0 {
            grad = zip(g, p).map { $0 + weightDecay * $1 }
        }
        let bc1 = 1 - pow(beta1, Double(step)), bc2 = 1 - pow(beta2, Double(step))
        for i in p.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * grad[i]
            v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i]
            let denom = v[i].squareRoot() / bc2.squareRoot() + eps
            p[i] -= lr / bc1 * m[i] / denom
        }
    }
}
