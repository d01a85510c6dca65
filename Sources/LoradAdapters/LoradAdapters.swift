// LoradAdapters
