/// The mean of all elements, shape [1].
func naiveMean(_ x: RefTensor) -> RefTensor {
    RefTensor(shape: [1], data: [x.data.reduce(0, +) / Double(x.count)])
}
