import ArgumentParser

/// A device secKey for the commands that read logs the way grep does (grep's own option says more).
struct TuyaKeyOption: ParsableArguments {
    @Option(name: .customLong("tuya-key"), help: ArgumentHelp("A device secKey, as for grep.", valueName: "key"))
    var tuyaKey: String?
}
