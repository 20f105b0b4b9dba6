pub mod drive;
pub mod engine;
pub mod gnutls;
pub mod mosquitto;
pub mod peer;
pub mod provider;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod stack;
pub mod vectors;
#[cfg(feature = "alloc")]
pub mod x509;
