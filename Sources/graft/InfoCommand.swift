import ArgumentParser
import Graft

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print Graft's version, the oneDNN version, the instruction set oneDNN uses and the thread count.")

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try runtime.apply()
        print("graft       \(graftVersion)")
        print("oneDNN      \(Engine.dnnlVersion)")
        print("CPU ISA     \(Engine.detectedISA) (activations in nChw\(Tensor.preferredChannelBlock)c)")
        print("threads     \(Engine.threadCount)")
    }
}
