print("liaison-bench")
