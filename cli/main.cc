#include "cli/app.h"

int main(int argc, char** argv) { return sotinc::RunApp(argc, argv); }
