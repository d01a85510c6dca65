import LoradConfig
import Testing

@testable import lorad

/// lorad's flags against the settings' declarations (``Setting/all``): each declared flag
/// exists and reaches its setting, and lorad has no setting flag that is not declared.
@Suite struct LoradFlagsTests {
    /// Flags that are not settings: the file to read, the check mode and help.
    static let commandFlags: Set = ["--config", "--check-config", "--help"]

    @Test func everyDeclaredFlagReachesItsSetting() throws {
        for setting in Setting.all {
            guard let flag = setting.flagName else { continue }
            let overrides = try Lorad.parse([flag, "x=1"]).overrides
            let given = setting.key == "bases" ? overrides.bases.first : overrides.values[flag]
            #expect(given == "x=1", "\(flag) should set \(setting.key)")
        }
    }

    @Test func helpListsTheDeclaredFlagsAndNoOthers() {
        var shown: Set<String> = []
        var word = ""
        for character in Lorad.helpMessage() + " " {
            if character.isLetter || character == "-" {
                word.append(character)
            } else {
                if word.hasPrefix("--"), word.count > 2 { shown.insert(word) }
                word = ""
            }
        }
        #expect(shown.subtracting(Self.commandFlags) == Set(Setting.all.compactMap(\.flagName)))
    }

    @Test func eachFlagsHelpIsItsSettingsDocLine() {
        let help = Lorad.helpMessage(columns: 10_000)
        for setting in Setting.all {
            guard let flag = setting.flagName, let value = setting.flagValueName else { continue }
            #expect(help.contains("\(flag) <\(value)>"), "\(flag)")
            #expect(help.contains(setting.doc), "\(flag) should show: \(setting.doc)")
        }
    }
}
