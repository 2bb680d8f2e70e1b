import Crypto

/// The signatures a Tuya device computes with its secKey, recomputed offline to check log lines.
public enum TuyaSign {
    /// The keys that take part in a device API call's `sign`, in the order they are joined.
    static let signedKeys = ["a", "devId", "et", "t", "uuid", "v"]

    /// `md5hex("a=…||devId=…||et=1||t=…||v=…||" + key)`, each present key as `k=v||`.
    public static func sign(parameters: [String: String], key: String) -> String {
        var text = ""
        for name in signedKeys {
            if let value = parameters[name] { text += "\(name)=\(value)||" }
        }
        return md5Hex(text + key)
    }

    /// The MQTT password the SDK prints as `passwd:`: `md5hex(secKey)[8..<24]`.
    public static func mqttPassword(key: String) -> String {
        String(md5Hex(key).dropFirst(8).prefix(16))
    }

    static func md5Hex(_ text: String) -> String {
        Insecure.MD5.hash(data: Array(text.utf8)).hexString
    }

    /// Adds `sign_ok` to a `tuya.post_url` event's fields, from the parameters already extracted.
    static func verifyPostURL(_ fields: inout EventFields, key: String) {
        guard case .string(let sign)? = fields["sign"] else { return }
        var parameters: [String: String] = [:]
        for name in signedKeys {
            let fieldName = name == "a" ? "api" : name
            if let value = fields[fieldName] { parameters[name] = value.description }
        }
        fields.set("sign_ok", sign.lowercased() == self.sign(parameters: parameters, key: key))
    }

    static func verifyMQTTPassword(_ fields: inout EventFields, key: String) {
        guard case .string(let password)? = fields["passwd"] else { return }
        fields.set("passwd_ok", password.lowercased() == mqttPassword(key: key))
    }
}
