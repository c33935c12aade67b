/// `text` with the five characters that mean something in HTML (& < > " ') replaced by
/// character references: safe as element text and inside quoted attribute values. Everything a
/// user named (class folders, file names, paths) goes through it before it reaches a report.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
