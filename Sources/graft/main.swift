import Graft
let x = Tensor(shape: [1, 2, 3, 3], values: (0..<18).map { Float($0) }, requiresGrad: true)
let w = Tensor(shape: [2, 1, 2, 2], values: [1, 0, 0, 1, 1, 1, 1, 1], requiresGrad: true)
let y = conv2d(x, weight: w, padding: .same, groups: 2)
print(y.shape, y.layoutDescription, y.values)
y.backward(gradient: Tensor.ones(y.shape))
print(x.grad!.values, w.grad!.values)
