#pragma once
#define REPSIM_VERSION "0.1.0"
