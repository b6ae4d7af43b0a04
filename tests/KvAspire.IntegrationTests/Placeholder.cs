public class Placeholder { [Fact] public void Ok() { } }
