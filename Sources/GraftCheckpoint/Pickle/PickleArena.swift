/// Every container one unpickling creates. A hostile pickle can nest containers a million deep
/// (or make one contain itself); releasing such a chain recursively would overflow the stack, and
/// a cycle would leak. Emptying every container from this flat list when the pickle is done
/// breaks all links first, so each container is then freed on its own.
final class PickleArena {
    private var sequences: [PickleSequence] = []
    private var dictionaries: [PickleDictionary] = []

    func makeSequence(_ items: [PickleValue]) -> PickleSequence {
        let sequence = PickleSequence(items)
        sequences.append(sequence)
        return sequence
    }

    func makeDictionary() -> PickleDictionary {
        let dictionary = PickleDictionary()
        dictionaries.append(dictionary)
        return dictionary
    }

    func releaseAll() {
        for sequence in sequences { sequence.items.removeAll() }
        for dictionary in dictionaries { dictionary.removeAll() }
        sequences.removeAll()
        dictionaries.removeAll()
    }
}
