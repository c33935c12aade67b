import Foundation
import XCTest

/// What make_parity_fixtures.py saved for one architecture: the reference's logits on the
/// formula's inputs, and its parameter count.
struct ParityFixture: Decodable {
    let architecture: String
    let reference: String
    let formula: String
    let inputShape: [Int]
    let parameters: Int
    let logits: [[Double]]

    enum CodingKeys: String, CodingKey {
        case architecture, reference, formula, parameters, logits
        case inputShape = "input_shape"
    }

    static func named(_ name: String) throws -> ParityFixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/parity/\(name).json", withExtension: nil),
                                "no parity fixture for \(name): run Fixtures/parity/make_parity_fixtures.py \(name)")
        return try JSONDecoder().decode(ParityFixture.self, from: Data(contentsOf: url))
    }
}
