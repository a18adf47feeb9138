// Entry point of the FuzzCheckpoint executable. SwiftPM links executables with
// main defined as <target>_main; this one hands control to libFuzzer's driver.
int FuzzCheckpoint_main(int argc, char **argv);
// The same for the FuzzFeatures executable (the features-file reader).
int FuzzFeatures_main(int argc, char **argv);
