pub mod peer;
pub mod vectors;
