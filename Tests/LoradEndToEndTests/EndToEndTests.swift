import Testing

/// The end-to-end tests: each starts the real `lorad` executable on a socket and state
/// folder of its own and talks to it as clients do (LoradClient, raw frames, loractl,
/// a Python client under another uid). They run one at a time: several daemons and the
/// 64-client test at once would only fight for the machine's cores.
@Suite(.serialized) struct EndToEndTests {}
