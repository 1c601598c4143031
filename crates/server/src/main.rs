fn main() { eprintln!("redeemguard-server: arrives with issue 3"); }
