fn main() {
    println!("neurofab");
}
