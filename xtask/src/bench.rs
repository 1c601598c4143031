//! SPEC §9 benchmarks (filled in below as the parts land).

use crate::run::{Failure, Runner};

pub fn run(r: &mut Runner) -> Result<(), Failure> {
    crate::setup::run(r)?;
    crate::build_release(r)?;
    Err(Failure("bench: not wired yet".into()))
}
