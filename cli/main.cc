#include "cli/app.h"
#include "cli/heap.h"

int main(int argc, char** argv) {
  sotinc::PreferHugePages();
  return sotinc::RunApp(argc, argv);
}
