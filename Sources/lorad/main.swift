print("lorad")
