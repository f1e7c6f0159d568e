# Warnings are errors everywhere (brief: "Warnings are errors").
function(larder_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wnon-virtual-dtor
    -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Checks the GUARDED_BY / REQUIRES annotations of common/thread_annotations.h.
    target_compile_options(${target} PRIVATE -Wthread-safety -Wshadow-uncaptured-local)
  else()
    target_compile_options(${target} PRIVATE -Wshadow=local)
    if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      # GCC 12 reports std::string copies inside libstdc++ as overlapping or out-of-bounds
      # memcpy once inlined at -O2 (GCC bugs 105329, 105545, 105651: false positives).
      target_compile_options(${target} PRIVATE -Wno-restrict -Wno-array-bounds
                             -Wno-stringop-overflow)
    endif()
  endif()
endfunction()
