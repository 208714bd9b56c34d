// Linked against one layer's whole archive and the layers below it only
// (tests/CMakeLists.txt): if any object of that layer calls into a layer above
// it, this executable fails to link.  It does nothing when run.
int main() { return 0; }
