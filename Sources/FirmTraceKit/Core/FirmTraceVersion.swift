public enum FirmTraceVersion {
    public static let current = "0.1.0"
}
