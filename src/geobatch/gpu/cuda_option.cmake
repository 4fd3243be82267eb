# GEOBATCH_WITH_CUDA: AUTO (the default) builds the CUDA target geobatch_gpu
# when a CUDA compiler is found; ON requires one; OFF skips it. Included from
# the top-level CMakeLists.txt because CUDA must be enabled in the directory
# that holds every target linking geobatch_gpu (the Python module too).
# Sets GEOBATCH_CUDA_ENABLED.
set(GEOBATCH_WITH_CUDA AUTO CACHE STRING "Build the CUDA target geobatch_gpu: AUTO, ON or OFF")
set_property(CACHE GEOBATCH_WITH_CUDA PROPERTY STRINGS AUTO ON OFF)

set(GEOBATCH_CUDA_ENABLED OFF)
if(GEOBATCH_WITH_CUDA STREQUAL "AUTO")
  # Sanitizer and fuzzer flags are host-compiler flags that nvcc refuses.
  if(NOT GEOBATCH_SANITIZE AND NOT GEOBATCH_BUILD_FUZZERS)
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
      set(GEOBATCH_CUDA_ENABLED ON)
    endif()
  endif()
elseif(GEOBATCH_WITH_CUDA)
  if(GEOBATCH_SANITIZE OR GEOBATCH_BUILD_FUZZERS)
    message(FATAL_ERROR "GEOBATCH_WITH_CUDA=ON cannot be combined with sanitizer or fuzzer builds")
  endif()
  set(GEOBATCH_CUDA_ENABLED ON)
endif()

if(GEOBATCH_CUDA_ENABLED)
  # H100/H200: sm_90 machine code plus compute_90 PTX for later GPUs.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 90)
  endif()
  enable_language(CUDA)
  # CMake before 3.26 does not know nvcc's C++20 flag.
  if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
  set(CMAKE_CUDA_STANDARD 20)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  find_package(CUDAToolkit REQUIRED)
  message(STATUS "geobatch: CUDA target on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${CMAKE_CUDA_ARCHITECTURES})")
else()
  message(STATUS "geobatch: CUDA target off (GEOBATCH_WITH_CUDA=${GEOBATCH_WITH_CUDA})")
endif()
