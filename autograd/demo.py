"""A first taste: build an expression, backpropagate, print the gradients (``make demo``)."""

from autograd import Value


def main() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + 1).tanh()
    c.backward()
    print(f"c = tanh(a*b + 1) = {c.data:.6f}")
    print(f"dc/da = {a.grad:.6g}   dc/db = {b.grad:.6g}")


if __name__ == "__main__":
    main()
