# Browser.DemoPage when CMake found no node: fail, and say how to get it.
message(FATAL_ERROR "Browser.DemoPage: node is not installed. apt-get install nodejs npm, then "
                    "npm ci in tests/browser and re-run CMake (tools/dev/imswitch-dev test does "
                    "all of it)")
