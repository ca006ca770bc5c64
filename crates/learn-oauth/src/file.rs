pub use learn_oauth_file::{FileStore, FileStoreError, Untrusted};
