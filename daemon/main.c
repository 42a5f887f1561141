#include <stdio.h>
int main(void) { puts("outflow"); return 0; }
