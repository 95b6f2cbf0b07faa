/* placeholder */
typedef int h2_placeholder_frame;
