// Moved: the Check interface is part of the engine.
#pragma once
#include "engine/check.h"
