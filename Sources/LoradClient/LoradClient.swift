// LoradClient
