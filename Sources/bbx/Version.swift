/// The one place bbx's version is written: `bbx --version` prints it, and `make dist` names the
/// release tarball after it.
let bbxVersion = "0.2.0"
