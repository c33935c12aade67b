import Foundation
import XCTest
@testable import GraftData

/// Datasets from label files (Kaggle's and fastai's CSV layout) and `classes`, on real files:
/// every row-level fault is an error naming the CSV line.
final class LabelFileDatasetTests: XCTestCase {
    private var root: URL!
    private var csv: URL { root.appendingPathComponent("labels.csv") }

    override func setUpWithError() throws {
        root = try makeTemporaryFolder()
        let png = try PNGEncoder.encode(TestImages.gradient(width: 6, height: 4))
        for name in ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "x,y"] {
            let url = root.appendingPathComponent("images/\(name).png")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try png.write(to: url)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func dataset(_ text: String, columns: LabelColumns = LabelColumns(), options: ImageFolderOptions = ImageFolderOptions())
        throws -> LabelFileDataset {
        try Data(text.utf8).write(to: csv)
        return try LabelFileDataset(labels: csv, root: root, columns: columns, options: options)
    }

    private func assertError(_ text: String, columns: LabelColumns = LabelColumns(split: "split"), options: ImageFolderOptions = ImageFolderOptions(),
                             _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try dataset(text, columns: columns, options: options), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message.replacingOccurrences(of: "LABELS", with: csv.path)
                .replacingOccurrences(of: "ROOT", with: root.path), file: file, line: line)
        }
    }

    func testAKaggleStyleFileWithASplitColumn() throws {
        // A byte-order mark, a quoted path holding a comma, a blank line, spaces around cells and
        // the column order differing from the defaults.
        let data = try dataset("""
            \u{FEFF}split,label,image
            train,bird,images/a1.png
            train, bird ,images/a2.png
            Valid,bird,images/a3.png

            train,cat,images/b1.png
            train,cat,"images/x,y.png"
            val,cat,images/b2.png
            test,cat,images/b3.png
            """, columns: LabelColumns(file: "image", label: "label", split: "split"))
        XCTAssertEqual(data.classNames, ["bird", "cat"])
        XCTAssertEqual(data.train.samples.map { $0.url.lastPathComponent }, ["a1.png", "a2.png", "b1.png", "x,y.png"])
        XCTAssertEqual(data.train.classCounts, [2, 2])
        XCTAssertEqual(data.validation?.classCounts, [1, 1])
        XCTAssertEqual(data.test?.classCounts, [0, 1])
        XCTAssertEqual(data.evaluationSplit.name, "test")
        XCTAssertTrue(data.summary.hasPrefix("\(csv.path): 2 classes, images in \(root.path)"), data.summary)
        XCTAssertTrue(data.summary.contains("cat   train 2  validation 1  test 1"), data.summary)
    }

    func testWithoutASplitColumnValidationIsHeldOutByFraction() throws {
        let rows = ["a1", "a2", "a3", "b1", "b2", "b3"].map { "images/\($0).png,\($0.first!)" }.joined(separator: "\n")
        let data = try dataset("file,label\n" + rows, options: ImageFolderOptions(validationFraction: 0.34, seed: 3))
        XCTAssertEqual(data.classNames, ["a", "b"])
        XCTAssertEqual(data.train.classCounts, [2, 2])
        XCTAssertEqual(data.validation?.classCounts, [1, 1])
        XCTAssertEqual(data.evaluationSplit.name, "all rows")
        XCTAssertNotNil(data.evaluationSplit.warning)
        XCTAssertNil(try dataset("file,label\n" + rows).validation)
    }

    func testEveryFaultyRowIsAnErrorNamingItsLine() throws {
        let header = "file,label,split\nimages/a1.png,a,train\nimages/b1.png,b,train\n"
        assertError(header + "images/missing.png,a,train", "LABELS, line 4: ROOT/images/missing.png: No such file or directory")
        assertError(header + "images/a2.png,,train", "LABELS, line 4: no label in column 'label'")
        assertError(header + ",a,train", "LABELS, line 4: no image path in column 'file'")
        assertError(header + "images/a2.png,a,holdout", "LABELS, line 4: unknown split 'holdout'; use train, validation (or valid, val) or test")
        assertError(header + "images/a2.png,a", "LABELS, line 4: 2 fields, but the header has 3")
        assertError(header + "images/a2.png,a,train\nimages/a1.png,b,train", "LABELS, line 5: images/a1.png is already listed on line 2 (each image once)")
        assertError(header + "images,a,train", "LABELS, line 4: ROOT/images is not a regular file but a folder")
        assertError(header + "images/c1.png,c,validation", "LABELS, line 4: label 'c' of a validation row has no training rows")
        assertError(header + "images/\"a2.png,a,train", "LABELS, line 4: not valid CSV (Can't have non-quote here: a)")
        // A quoted cell holding a line break: the rows after it are counted from where they are.
        assertError(header + "images/a2.png,\"two\nlines\",train\nimages/a3.png,a,nowhere", "LABELS, line 6: unknown split 'nowhere'; use train, validation (or valid, val) or test")
        assertError(header, columns: LabelColumns(file: "path", split: "split"), "LABELS: no column 'path'; the header has 'file', 'label', 'split'")
        assertError("file\nimages/a1.png", columns: LabelColumns(), "LABELS: a label file needs a file column and a label column; the header has 'file'")
        assertError("file,label\n\n", columns: LabelColumns(), "LABELS: the label file has a header but no rows")
        assertError("file,label\nimages/a1.png,a\nimages/a2.png,a", columns: LabelColumns(),
                    "LABELS: a classifier needs at least two classes in the training rows, found 1 (a)")
    }

    /// fastai's `label_delim`: each cell names an image's classes; repeats and empty parts are
    /// dropped, a cell of delimiters alone is an empty label, and a class left out by `classes`
    /// leaves the image its other classes (or, with none left, leaves it out).
    func testADelimiterMakesMultiLabelData() throws {
        let columns = LabelColumns(split: "split", labelDelimiter: ";")
        let data = try dataset("""
            file,label,split
            images/a1.png,cat;dog,train
            images/a2.png, dog ; cat ;dog,train
            images/a3.png,bird,train
            images/b1.png,dog,train
            images/b2.png,cat;;bird,validation
            images/b3.png,dog,validation
            """, columns: columns)
        XCTAssertTrue(data.train.isMultiLabel)
        XCTAssertEqual(data.validation?.isMultiLabel, true)
        XCTAssertEqual(data.classNames, ["bird", "cat", "dog"])
        XCTAssertEqual(data.train.samples.map(\.labels), [[1, 2], [1, 2], [0], [2]])
        XCTAssertEqual(data.validation?.samples.map(\.labels), [[0, 1], [2]])
        XCTAssertEqual(data.train.classCounts, [1, 2, 3])
        // The class a stratified split sorts an image by is its rarest.
        XCTAssertEqual(data.train.samples.map(\.label), [1, 1, 0, 2])
        XCTAssertEqual(data.train.multiHotTargets([0, 2]), [0, 1, 1, 1, 0, 0])

        let header = "file,label,split\nimages/a1.png,cat;dog,train\nimages/b1.png,bird,train\n"
        assertError(header + "images/a2.png, ; ;,train", columns: columns, "LABELS, line 4: no label in column 'label'")
        assertError(header + "images/a2.png,cat;fish,validation", columns: columns,
                    "LABELS, line 4: label 'fish' of a validation row has no training rows")

        let chosen = try dataset(header + "images/a2.png,bird;dog,train\nimages/a3.png,dog,train", columns: columns,
                                 options: ImageFolderOptions(classes: ["cat", "bird"]))
        XCTAssertEqual(chosen.train.samples.map { $0.url.lastPathComponent }, ["a1.png", "b1.png", "a2.png"])
        XCTAssertEqual(chosen.train.samples.map(\.labels), [[0], [1], [1]])
        XCTAssertTrue(chosen.warnings.contains { $0.contains("left out 1 (dog, 1 image)") }, "\(chosen.warnings)")

        // One class per row without the delimiter: "cat;dog" is then a class of its own.
        XCTAssertFalse(try dataset(header, columns: LabelColumns(split: "split")).train.isMultiLabel)
        XCTAssertEqual(try dataset(header, columns: LabelColumns(split: "split")).classNames, ["bird", "cat;dog"])
        XCTAssertThrowsError(try LabelColumns(labelDelimiter: "").validate()) { XCTAssertTrue("\($0)".hasPrefix("labelDelimiter must be"), "\($0)") }
    }

    func testTheSameImageThroughALinkIsADuplicate() throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("images/alias.png").path, withDestinationPath: "a1.png")
        assertError("file,label\nimages/a1.png,a\nimages/b1.png,b\nimages/alias.png,b", columns: LabelColumns(),
                    "LABELS, line 4: images/alias.png is already listed on line 2 (each image once)")
    }

    func testClassesRestrictAndOrderTheLabels() throws {
        let text = "file,label\n" + ["a1", "a2", "b1", "b2", "c1", "c2"].map { "images/\($0).png,\($0.first!)" }.joined(separator: "\n")
        let data = try dataset(text, options: ImageFolderOptions(classes: ["c", "a"]))
        XCTAssertEqual(data.classNames, ["c", "a"])
        XCTAssertEqual(data.train.samples.map { $0.url.lastPathComponent }, ["a1.png", "a2.png", "c1.png", "c2.png"])
        XCTAssertEqual(data.train.samples.map(\.label), [1, 1, 0, 0])
        XCTAssertTrue(data.warnings.contains("note: training on the 2 classes asked for; left out 1 (b, 2 images)"), "\(data.warnings)")
        assertError(text, columns: LabelColumns(), options: ImageFolderOptions(classes: ["a", "dog"]),
                    "LABELS: no class 'dog' (of the classes asked for); it has 3: a, b, c")
    }

    func testClassesChooseClassFolders() throws {
        let folder = root.appendingPathComponent("images")
        for (name, target) in [("a1", "a"), ("b1", "b"), ("c1", "c")] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("folders/\(target)"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: folder.appendingPathComponent("\(name).png"),
                                             to: root.appendingPathComponent("folders/\(target)/\(name).png"))
        }
        let data = try ImageFolder(root: root.appendingPathComponent("folders"), options: ImageFolderOptions(classes: ["c", "b"]))
        XCTAssertEqual(data.classNames, ["c", "b"])
        XCTAssertEqual(data.train.samples.map { $0.url.lastPathComponent }, ["c1.png", "b1.png"])
        XCTAssertEqual(data.train.samples.map(\.label), [0, 1])
        XCTAssertThrowsError(try ImageFolder(root: root.appendingPathComponent("folders"), options: ImageFolderOptions(classes: ["a", "z"]))) { error in
            XCTAssertEqual("\(error)", "\(root.path)/folders: no class 'z' (of the classes asked for); it has 3: a, b, c")
        }
    }

    func testOptionsAreCheckedBeforeAnyWork() {
        let cases: [(ImageFolderOptions, String)] = [
            (ImageFolderOptions(classes: ["a"]), "classes must be at least two class names, not 'a'"),
            (ImageFolderOptions(classes: ["a", "", "b"]), "classes must be class names, but name 2 is empty, not 'a,,b'"),
            (ImageFolderOptions(classes: ["a", "b", "a"]), "classes must be distinct names, but 'a' comes twice, not 'a,b,a'"),
            (ImageFolderOptions(validationFraction: 1), "validationFraction must be a finite number in [0, 1), not 1.0"),
        ]
        for (options, message) in cases {
            XCTAssertThrowsError(try options.validate()) { XCTAssertEqual("\($0)", message) }
        }
        XCTAssertThrowsError(try LabelColumns(file: "f", label: "f").validate()) {
            XCTAssertEqual("\($0)", "labelColumn must be a column other than fileColumn's, not 'f'")
        }
        XCTAssertThrowsError(try LabelColumns(split: " ").validate()) { XCTAssertEqual("\($0)", "splitColumn must be a column name, not ' '") }
    }
}
