import Dashboard
import Testing

@Test func peek() {
    let m = Board.model(Board.several)
    print(m.view(width: 120, height: 40).text)
    print(m.view(width: 80, height: 24).text)
}
