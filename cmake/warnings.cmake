# Warnings and sanitizers every iomhub target links (INTERFACE target).
add_library(iomhub_warnings INTERFACE)
target_compile_options(iomhub_warnings INTERFACE -Wall -Wextra -Wshadow)
if(IOMHUB_WERROR)
  target_compile_options(iomhub_warnings INTERFACE -Werror)
endif()
if(IOMHUB_SANITIZE)
  target_compile_options(iomhub_warnings INTERFACE -fsanitize=${IOMHUB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(iomhub_warnings INTERFACE -fsanitize=${IOMHUB_SANITIZE})
endif()
# Under clang every ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED is
# checked, and a violation fails the build (make test-fuzz builds with
# clang).
# (-Woverloaded-virtual: gRPC's generated raw callback services hide the
# typed methods by design.)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(iomhub_warnings INTERFACE -Wthread-safety -Werror=thread-safety
                                                   -Wno-overloaded-virtual)
endif()
# IOMHUB_FUZZ (clang): coverage for libFuzzer in every iomhub target, and
# the fuzz targets in tests/fuzz/.
if(IOMHUB_FUZZ)
  target_compile_options(iomhub_warnings INTERFACE -fsanitize=fuzzer-no-link)
endif()
