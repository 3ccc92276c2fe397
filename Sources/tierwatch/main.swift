import ArgumentParser
import Yams
print("x")
