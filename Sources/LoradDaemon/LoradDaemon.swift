// LoradDaemon
