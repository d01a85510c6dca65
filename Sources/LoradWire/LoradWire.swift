// LoradWire
