// LoradStore
