pub mod gnutls;
pub mod mosquitto;
pub mod peer;
pub mod vectors;
