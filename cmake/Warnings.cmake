# Warnings are errors everywhere (brief: "Warnings are errors").
function(larder_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow=local
    -Wnon-virtual-dtor -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Checks the GUARDED_BY / REQUIRES annotations of common/thread_annotations.h.
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()
