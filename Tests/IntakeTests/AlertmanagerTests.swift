import Intake
import Testing
